"""The auth-service Lambda and the API's token authorizer (see README.md)."""
