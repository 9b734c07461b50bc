"""`alliance sandbox`: the real bot behind a local Slack stand-in, with a page to use it from."""
