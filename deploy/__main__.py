"""`python -m deploy`: list the deploy steps (each is `python -m deploy.<step> --help`)."""

import deploy

print(deploy.__doc__)
