"""compliance-guardian: fraud scoring, risk, PCI/PII scanning, reports, audit log, investigation cases.

Routes its operations of the contract; they answer 501 until the behaviour lands (`shared.api.pending`).
"""

from shared.api import create_app, make_handler, pending

SERVICE = "compliance-guardian"

OPERATIONS = (
    ("POST", "/compliance/fraud-detection"),
    ("POST", "/compliance/risk-score"),
    ("GET", "/compliance/high-risk-transactions"),
    ("GET", "/compliance/fraud-statistics"),
    ("POST", "/compliance/pci-compliance"),
    ("POST", "/compliance/pii-scan"),
    ("GET", "/compliance/compliance-report"),
    ("GET", "/compliance/audit-log"),
    ("POST", "/compliance/cases"),
    ("GET", "/compliance/cases"),
    ("PATCH", "/compliance/cases/{caseId}"),
)

app = create_app(SERVICE)
pending(app, OPERATIONS)

lambda_handler = make_handler(app)
