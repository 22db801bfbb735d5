"""Assets loaded at run time: sample and template flows, icons."""
