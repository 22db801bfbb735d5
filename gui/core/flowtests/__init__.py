"""Flow tests: named calls through a project, each with what must (or must not) happen.

model.py holds the tests as data, test_file.py reads and writes their `<test>` elements,
runner.py runs them through the interpreter, coverage.py says what they reached, junit.py
writes the JUnit XML CI servers read, and lint.py checks them against the project.

Nothing is imported here: project.py imports model.py, and importing this package must not
pull the runtime (which imports project.py) in with it.
"""
