"""The toolkit every service of the platform is built on (bundled into each function's zip).

- `shared.api`: `create_app(service)` -> resolver with CORS and the error model,
  `make_handler(app)` -> the Lambda handler, `ok/created/accepted/no_content`, `routes(app)`.
- `shared.errors`: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooManyRequests, ...
- `shared.validation`: `body(app, schema)`, `query_int/float/str/enum/bool/date/list/period`,
  `path_param`.
- `shared.identity`: `caller(app)` -> Caller(user_id, email, role), `require_role`.
- `shared.pagination`: `query_page` + `page_of` (limit/offset), `query_cursor` + `cursor_page`.
- `shared.aws`: `client(name)` cached boto3 clients; `override`/`reset` for tests.
- `shared.observability`: `logger`, `tracer`, `metrics`.
- `shared.testing`: API Gateway events and `call(handler, method, path, ...)` for tests.
- `shared.warehouse`: SQL over the data lake (Athena in AWS, DuckDB locally).

Nothing is imported here, so `import shared.aws` stays cheap.
"""
