"""retail-copilot: questions answered from the data, conversations, inventory/orders/customers search, recommendations.

Every operation of the contract that this service owns is routed here. Their behaviour lands
with the service's own issue; until then each answers 501 NOT_IMPLEMENTED in the error model,
so the API is complete (authorizer, CORS, routing) and honest about what is missing.
"""

from shared.api import create_app, make_handler, pending

SERVICE = "retail-copilot"

OPERATIONS = (
    ("POST", "/copilot/chat"),
    ("GET", "/copilot/conversations"),
    ("POST", "/copilot/conversations"),
    ("GET", "/copilot/conversations/{conversationId}"),
    ("DELETE", "/copilot/conversations/{conversationId}"),
    ("GET", "/copilot/inventory"),
    ("GET", "/copilot/orders"),
    ("GET", "/copilot/customers"),
    ("GET", "/copilot/sales-report"),
    ("POST", "/copilot/recommendations"),
)

app = create_app(SERVICE)
pending(app, OPERATIONS)

lambda_handler = make_handler(app)
