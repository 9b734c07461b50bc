"""App factory, configuration, serving and the command line."""

__version__ = "0.1.0"
