"""retail-copilot: questions answered from the data, conversations, inventory/orders/customers search, recommendations.

Routes its operations of the contract; they answer 501 until the behaviour lands (`shared.api.pending`).
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
