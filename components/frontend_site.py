"""Frontend site: the bucket the React build is synced to, and how browsers reach it.

Two shapes, chosen by `settings.cdn_enabled`:
- dev (no CDN): the seed's S3 static website. The bucket is publicly readable through its
  policy (object reads only, ACLs stay blocked) and served over HTTP by the website endpoint.
- prod (CDN): a private bucket behind CloudFront with an origin access control; only this
  distribution may read objects, and viewers are redirected to HTTPS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.buckets import PublicAccess, harden_bucket
from components.settings import Settings

SYSTEM = "Frontend"
OLD_BUILD_DAYS = 30  # how long a replaced site file can still be restored
INDEX_DOCUMENT = "index.html"
# AWS managed cache policy "Managed-CachingOptimized" (fixed id, same in every account).
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ORIGIN_ID = "site-bucket"

# The security headers of every answer of the site: CloudFront's response headers policy below
# sends them in prod, and the local frontend server (local/frontend.py) sends the same. The
# page's own policy, with `default-src 'self'` and the API's origin in `connect-src`, is the
# <meta> the build writes (frontend/src/csp.ts); a browser enforces both. This one names no
# API (the distribution exists before the API, whose CORS needs the site's origin), so it sets
# no `default-src` or `connect-src`: what it adds is for every file, not only index.html, and
# what a <meta> cannot say (frame-ancestors).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
HSTS_MAX_AGE_SECONDS = 31536000  # HTTPS only: not sent by the local (HTTP) server


@dataclass
class FrontendSiteArgs:
    settings: Settings


class FrontendSite(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    url: pulumi.Output[str]
    origin: pulumi.Output[str]
    distribution_id: pulumi.Output[str] | None
    distribution_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: FrontendSiteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:frontend:FrontendSite", name, None, opts)
        s = args.settings
        tags = s.tags(SYSTEM)
        child = pulumi.ResourceOptions(parent=self)

        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=s.bucket_name("frontend"),
            # The bucket only holds build output that the pipeline can re-sync at any time.
            force_destroy=not s.deletion_protection,
            tags=tags,
            opts=child,
        )
        self.distribution_id = None
        self.distribution_arn = None

        if s.cdn_enabled:
            distribution = self._distribution(name, s, bucket, tags, child)
            self.distribution_id = distribution.id
            self.distribution_arn = distribution.arn

            def site_statements(arn: str) -> pulumi.Output[list[dict]]:
                return distribution.arn.apply(
                    lambda dist_arn: [
                        {
                            "Sid": "AllowCloudFrontOriginAccessControl",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": f"{arn}/*",
                            # Only this distribution, not any CloudFront distribution.
                            "Condition": {"StringEquals": {"AWS:SourceArn": dist_arn}},
                        }
                    ]
                )

            public_access: PublicAccess = "none"
            tls_except_actions: list[str] = []
            self.url = distribution.domain_name.apply(lambda d: f"https://{d}")
        else:
            website = aws.s3.BucketWebsiteConfiguration(
                f"{name}-website",
                bucket=bucket.id,
                index_document={"suffix": INDEX_DOCUMENT},
                # SPA routing: unknown paths get the app, which routes on the client.
                error_document={"key": INDEX_DOCUMENT},
                opts=child,
            )

            def site_statements(arn: str) -> list[dict]:
                return [
                    {
                        "Sid": "PublicReadSiteObjects",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"{arn}/*",
                    }
                ]

            # Public read through the bucket policy only: ACL-based public access stays
            # blocked, so nothing but the policy can make an object public.
            public_access = "policy-only"
            # The website endpoint is HTTP-only, so a plain "deny s3:* without TLS" would also
            # deny every visitor's GetObject. Everything else (writes, deletes, listing,
            # configuration) still requires TLS.
            tls_except_actions = ["s3:GetObject"]
            self.url = website.website_endpoint.apply(lambda e: f"http://{e}")

        # SSE-S3 (AES256), deliberately NOT the customer-managed KMS key: anonymous reads
        # through the S3 website endpoint cannot call kms:Decrypt, so KMS-encrypted objects
        # would answer 403 to every visitor. The content is the public web app anyway.
        harden_bucket(
            name,
            bucket,
            opts=child,
            kms_key_arn=None,
            public_access=public_access,
            policy_statements=site_statements,
            tls_except_actions=tls_except_actions,
            # Each deploy overwrites index.html and deletes the old build's assets; versioning
            # keeps them as noncurrent versions, which expire after a rollback window instead
            # of accumulating forever (see the README's runbook to restore one).
            lifecycle_rules=[
                {
                    "id": "expire-old-builds",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "noncurrent_version_expiration": {"noncurrent_days": OLD_BUILD_DAYS},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
        )

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        # scheme://host, no path: what the API's CORS configuration compares with Origin.
        self.origin = self.url
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
                "url": self.url,
                "origin": self.origin,
                "distribution_id": self.distribution_id,
                "distribution_arn": self.distribution_arn,
            }
        )

    def _distribution(
        self,
        name: str,
        s: Settings,
        bucket: aws.s3.Bucket,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
    ) -> aws.cloudfront.Distribution:
        oac = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            name=s.name("frontend-oac"),
            description="CloudFront signs its requests to the private site bucket",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        headers = aws.cloudfront.ResponseHeadersPolicy(
            f"{name}-security-headers",
            name=s.name("frontend-security-headers"),
            comment="Security headers for the web app",
            security_headers_config={
                "strict_transport_security": {
                    "access_control_max_age_sec": HSTS_MAX_AGE_SECONDS,
                    "include_subdomains": True,
                    "preload": False,
                    "override": True,
                },
                "content_security_policy": {
                    "content_security_policy": SECURITY_HEADERS["Content-Security-Policy"],
                    "override": True,
                },
                "content_type_options": {"override": True},  # nosniff
                "frame_options": {"frame_option": SECURITY_HEADERS["X-Frame-Options"], "override": True},
                "referrer_policy": {"referrer_policy": SECURITY_HEADERS["Referrer-Policy"], "override": True},
            },
            custom_headers_config={
                "items": [
                    {
                        "header": "Permissions-Policy",
                        "value": SECURITY_HEADERS["Permissions-Policy"],
                        "override": True,
                    }
                ]
            },
            opts=child,
        )
        spa_fallback = [
            # The private bucket answers 403 (not 404) for missing keys; both mean "a client
            # route", so serve the app and let it route.
            {
                "error_code": code,
                "response_code": 200,
                "response_page_path": f"/{INDEX_DOCUMENT}",
                "error_caching_min_ttl": 10,
            }
            for code in (403, 404)
        ]
        return aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            comment=s.name("frontend"),
            default_root_object=INDEX_DOCUMENT,
            origins=[
                {
                    "domain_name": bucket.bucket_regional_domain_name,
                    "origin_id": ORIGIN_ID,
                    "origin_access_control_id": oac.id,
                }
            ],
            default_cache_behavior={
                "target_origin_id": ORIGIN_ID,
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["GET", "HEAD", "OPTIONS"],
                "cached_methods": ["GET", "HEAD"],
                "compress": True,
                "cache_policy_id": CACHING_OPTIMIZED_POLICY_ID,
                "response_headers_policy_id": headers.id,
            },
            custom_error_responses=spa_fallback,
            price_class="PriceClass_100",
            http_version="http2and3",
            is_ipv6_enabled=True,
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            # The default *.cloudfront.net certificate takes no other field (AWS: "leave all
            # other fields empty"); a minimum protocol here is ignored and reads back as TLSv1,
            # which would show a diff on every `pulumi up`. Enforcing TLS 1.2 needs a custom
            # domain with an ACM certificate.
            viewer_certificate={"cloudfront_default_certificate": True},
            tags=tags,
            opts=child,
        )
