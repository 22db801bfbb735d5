"""Help: About, Getting started and the FlexML reference."""
