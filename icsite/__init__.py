"""ICS Outcomes: a static open-data site generator for England's Integrated Care Systems.

The build is one pipeline of small stages (see docs/ARCHITECTURE in the README):
load -> validate -> model -> compute -> charts -> render -> publish.
"""

__version__ = "0.1.0"
