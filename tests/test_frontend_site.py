"""FrontendSite under mocks: the dev static website (public read on this bucket only) and the
prod private bucket behind CloudFront (readable by this distribution only)."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.frontend_site import (
    CACHING_OPTIMIZED_POLICY_ID,
    SECURITY_HEADERS,
    FrontendSite,
    FrontendSiteArgs,
)
from preview.harness import run, taggable

BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
WEBSITE = "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"


def _site(settings):
    def program():
        site = FrontendSite("frontend", FrontendSiteArgs(settings=settings))
        pulumi.export("url", site.url)
        pulumi.export("origin", site.origin)
        pulumi.export("bucket_name", site.bucket_name)
        pulumi.export("bucket_arn", site.bucket_arn)
        pulumi.export("distribution_id", site.distribution_id)
        pulumi.export("distribution_arn", site.distribution_arn)

    return run(program, stack=settings.stack)


@pytest.fixture()
def dev_site(settings_for):
    return _site(settings_for("dev"))


@pytest.fixture()
def prod_site(settings_for):
    return _site(settings_for("prod"))


def statements(resource) -> list[dict]:
    return json.loads(resource.inputs["policy"])["Statement"]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# ---- both shapes --------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["dev_site", "prod_site"])
def test_bucket_versioned_sse_s3_and_owner_enforced(which, request):
    site = request.getfixturevalue(which)
    bucket = site.one(BUCKET)
    assert bucket.inputs["bucket"] == f"futureim-ecommerce-ai-platform-frontend-{site.stack}-123456789012"
    sse = site.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    default = sse.get("rules.0.applyServerSideEncryptionByDefault")
    # AES256, not KMS: anonymous website reads cannot decrypt KMS objects.
    assert default["sseAlgorithm"] == "AES256"
    assert "kmsMasterKeyId" not in default
    assert (
        site.one("aws:s3/bucketVersioning:BucketVersioning").get("versioningConfiguration.status")
        == "Enabled"
    )
    assert (
        site.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").get("rule.objectOwnership")
        == "BucketOwnerEnforced"
    )


@pytest.mark.parametrize("which", ["dev_site", "prod_site"])
def test_every_taggable_resource_is_tagged_frontend(which, request):
    site = request.getfixturevalue(which)
    tagged = taggable(site.resources)
    assert {r.type for r in tagged} >= {BUCKET}
    for r in tagged:
        assert (r.inputs.get("tags") or {}).get("System") == "Frontend", r.name


@pytest.mark.parametrize("which", ["dev_site", "prod_site"])
def test_policy_waits_for_public_access_block_and_denies_plain_http_writes(which, request):
    site = request.getfixturevalue(which)
    deny = [st for st in statements(site.one(POLICY)) if st["Effect"] == "Deny"]
    assert len(deny) == 1
    (st,) = deny
    assert st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = site.outputs["bucket_arn"]
    assert set(st["Resource"]) == {arn, f"{arn}/*"}
    # Whatever the shape, writes and deletes over plain HTTP are denied.
    if "Action" in st:
        assert st["Action"] == "s3:*"
    else:
        assert "s3:PutObject" not in st["NotAction"] and "s3:DeleteObject" not in st["NotAction"]


# ---- dev: the seed's static website --------------------------------------------------------
def test_dev_is_a_static_website_with_spa_fallback(dev_site):
    website = dev_site.one(WEBSITE)
    assert website.get("indexDocument.suffix") == "index.html"
    assert website.get("errorDocument.key") == "index.html"
    assert not dev_site.of_type(DISTRIBUTION) and not dev_site.of_type(OAC)


def test_dev_url_is_the_website_endpoint(dev_site):
    bucket = dev_site.outputs["bucket_name"]
    expected = f"http://{bucket}.s3-website.us-east-2.amazonaws.com"
    assert dev_site.outputs["url"] == expected
    assert dev_site.outputs["origin"] == expected
    assert dev_site.outputs.get("distribution_id") is None
    assert dev_site.outputs.get("distribution_arn") is None


def test_dev_public_access_only_through_the_policy(dev_site):
    block = dev_site.one(ACCESS_BLOCK)
    assert block.inputs["blockPublicAcls"] is True
    assert block.inputs["ignorePublicAcls"] is True
    assert block.inputs["blockPublicPolicy"] is False
    assert block.inputs["restrictPublicBuckets"] is False


def test_dev_public_read_is_get_object_on_this_bucket_only(dev_site):
    arn = dev_site.outputs["bucket_arn"]
    allows = [st for st in statements(dev_site.one(POLICY)) if st["Effect"] == "Allow"]
    assert allows == [
        {
            "Sid": "PublicReadSiteObjects",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{arn}/*",
        }
    ]


def test_dev_tls_deny_does_not_break_website_reads(dev_site):
    """The website endpoint is HTTP-only: a blanket deny would 403 every visitor."""
    (deny,) = [st for st in statements(dev_site.one(POLICY)) if st["Effect"] == "Deny"]
    assert "Action" not in deny
    assert deny["NotAction"] == ["s3:GetObject"]


# ---- prod: private bucket behind CloudFront --------------------------------------------------
def test_prod_bucket_fully_private(prod_site):
    block = prod_site.one(ACCESS_BLOCK)
    for flag in ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"):
        assert block.inputs[flag] is True, flag
    assert not prod_site.of_type(WEBSITE)


def test_prod_origin_access_control(prod_site):
    oac = prod_site.one(OAC)
    assert oac.inputs["originAccessControlOriginType"] == "s3"
    assert oac.inputs["signingBehavior"] == "always"
    assert oac.inputs["signingProtocol"] == "sigv4"
    dist = prod_site.one(DISTRIBUTION)
    (origin,) = dist.inputs["origins"]
    assert origin["originAccessControlId"] == oac.id
    bucket = prod_site.outputs["bucket_name"]
    assert origin["domainName"] == f"{bucket}.s3.us-east-2.amazonaws.com"  # REST endpoint, not website
    assert dist.get("defaultCacheBehavior.targetOriginId") == origin["originId"]


def test_prod_distribution_settings(prod_site):
    dist = prod_site.one(DISTRIBUTION)
    assert dist.inputs["defaultRootObject"] == "index.html"
    behavior = dist.inputs["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["cachePolicyId"] == CACHING_OPTIMIZED_POLICY_ID == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    headers = prod_site.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    assert behavior["responseHeadersPolicyId"] == headers.id
    errors = {e["errorCode"]: e for e in dist.inputs["customErrorResponses"]}
    assert set(errors) == {403, 404}
    for e in errors.values():
        assert e["responseCode"] == 200 and e["responsePagePath"] == "/index.html"
    assert dist.inputs["priceClass"] == "PriceClass_100"
    assert dist.inputs["httpVersion"] == "http2and3"
    assert dist.inputs["isIpv6Enabled"] is True
    assert dist.get("viewerCertificate.cloudfrontDefaultCertificate") is True
    # With the default certificate every other field must stay empty (else a perpetual diff).
    assert dist.get("viewerCertificate") == {"cloudfrontDefaultCertificate": True}


def test_prod_security_headers(prod_site):
    cfg = prod_site.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").inputs[
        "securityHeadersConfig"
    ]
    assert cfg["strictTransportSecurity"]["accessControlMaxAgeSec"] >= 31536000
    assert cfg["contentTypeOptions"]["override"] is True
    assert cfg["frameOptions"]["frameOption"] == "DENY"
    assert cfg["referrerPolicy"]["referrerPolicy"]


def test_prod_sends_the_shared_security_headers(prod_site):
    # The same values as the local frontend server (tests/test_local_frontend.py).
    policy = prod_site.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    cfg = policy.inputs["securityHeadersConfig"]
    csp = cfg["contentSecurityPolicy"]
    assert csp == {"contentSecurityPolicy": SECURITY_HEADERS["Content-Security-Policy"], "override": True}
    directives = dict(d.strip().split(" ", 1) for d in csp["contentSecurityPolicy"].split(";"))
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    # No API origin is known to the distribution: a default-src or connect-src here would
    # block the app's calls to the API.
    assert "default-src" not in directives and "connect-src" not in directives
    assert cfg["frameOptions"] == {"frameOption": SECURITY_HEADERS["X-Frame-Options"], "override": True}
    assert cfg["referrerPolicy"]["referrerPolicy"] == SECURITY_HEADERS["Referrer-Policy"]
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff" and cfg["contentTypeOptions"]["override"]
    custom = {i["header"]: (i["value"], i["override"]) for i in policy.inputs["customHeadersConfig"]["items"]}
    assert custom == {"Permissions-Policy": (SECURITY_HEADERS["Permissions-Policy"], True)}
    assert "camera=()" in SECURITY_HEADERS["Permissions-Policy"]


def test_prod_only_this_distribution_may_read(prod_site):
    dist_arn = prod_site.one(DISTRIBUTION).outputs["arn"]
    assert prod_site.outputs["distribution_arn"] == dist_arn
    arn = prod_site.outputs["bucket_arn"]
    sts = statements(prod_site.one(POLICY))
    allows = [st for st in sts if st["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert as_list(allow["Action"]) == ["s3:GetObject"]
    assert allow["Resource"] == f"{arn}/*"
    assert allow["Condition"] == {"StringEquals": {"AWS:SourceArn": dist_arn}}
    # No public statement: nothing is granted to "*" (only the TLS deny names it).
    assert not [st for st in sts if st["Effect"] == "Allow" and st.get("Principal") in ("*", {"AWS": "*"})]


def test_prod_url_is_https_cloudfront(prod_site):
    dist = prod_site.one(DISTRIBUTION)
    expected = f"https://{dist.outputs['domainName']}"
    assert prod_site.outputs["url"] == expected
    assert prod_site.outputs["origin"] == expected
    assert prod_site.outputs["distribution_id"] == dist.id


@pytest.mark.parametrize("which", ["dev_site", "prod_site"])
def test_old_site_versions_expire(which, request):
    # Every deploy overwrites index.html and deletes the previous build's assets: without a
    # noncurrent-version rule the versioned bucket keeps every build forever.
    site = request.getfixturevalue(which)
    (rule,) = site.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled"
    assert 1 <= rule["noncurrentVersionExpiration"]["noncurrentDays"] <= 90
    assert "expiration" not in rule  # the live site is never expired
