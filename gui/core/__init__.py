"""The Qt-free core of FlexML Studio: the language, projects, clients, server and runtime."""
