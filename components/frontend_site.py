"""Frontend site: the bucket the React build is synced to, and how browsers reach it.

Two shapes, chosen by `settings.cdn_enabled`:
- dev (no CDN): the seed's S3 static website. The bucket is publicly readable through its
  policy (object reads only, ACLs stay blocked) and served over HTTP by the website endpoint.
- prod (CDN): a private bucket behind CloudFront with an origin access control; only this
  distribution may read objects, and viewers are redirected to HTTPS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.settings import Settings

SYSTEM = "Frontend"
INDEX_DOCUMENT = "index.html"
# AWS managed cache policy "Managed-CachingOptimized" (fixed id, same in every account).
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ORIGIN_ID = "site-bucket"


@dataclass
class FrontendSiteArgs:
    settings: Settings


def tls_only_statement(bucket_arn: str, *, except_actions: list[str] | None = None) -> dict:
    """Deny requests that do not use TLS. `except_actions` leaves those actions out of the
    deny (the S3 website endpoint only speaks HTTP, so its anonymous reads must pass)."""
    statement: dict = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    if except_actions:
        statement["NotAction"] = except_actions
    else:
        statement["Action"] = "s3:*"
    return statement


class FrontendSite(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    url: pulumi.Output[str]
    origin: pulumi.Output[str]
    distribution_id: pulumi.Output[str] | None
    distribution_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: FrontendSiteArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
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
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        # SSE-S3 (AES256), deliberately NOT the customer-managed KMS key: anonymous reads
        # through the S3 website endpoint cannot call kms:Decrypt, so KMS-encrypted objects
        # would answer 403 to every visitor. The content is the public web app anyway.
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        # ACLs off: access is decided by the bucket policy alone.
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )

        self.distribution_id = None
        self.distribution_arn = None

        if s.cdn_enabled:
            access_block = aws.s3.BucketPublicAccessBlock(
                f"{name}-public-access",
                bucket=bucket.id,
                block_public_acls=True,
                ignore_public_acls=True,
                block_public_policy=True,
                restrict_public_buckets=True,
                opts=child,
            )
            distribution = self._distribution(name, s, bucket, tags, child)
            self.distribution_id = distribution.id
            self.distribution_arn = distribution.arn
            policy = pulumi.Output.all(bucket.arn, distribution.arn).apply(
                lambda a: json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AllowCloudFrontOriginAccessControl",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": f"{a[0]}/*",
                            # Only this distribution, not any CloudFront distribution.
                            "Condition": {"StringEquals": {"AWS:SourceArn": a[1]}},
                        },
                        tls_only_statement(a[0]),
                    ],
                }))
            self.url = distribution.domain_name.apply(lambda d: f"https://{d}")
        else:
            # Public read through the bucket policy only: ACL-based public access stays
            # blocked, so nothing but the policy below can make an object public.
            access_block = aws.s3.BucketPublicAccessBlock(
                f"{name}-public-access",
                bucket=bucket.id,
                block_public_acls=True,
                ignore_public_acls=True,
                block_public_policy=False,
                restrict_public_buckets=False,
                opts=child,
            )
            website = aws.s3.BucketWebsiteConfiguration(
                f"{name}-website",
                bucket=bucket.id,
                index_document={"suffix": INDEX_DOCUMENT},
                # SPA routing: unknown paths get the app, which routes on the client.
                error_document={"key": INDEX_DOCUMENT},
                opts=child,
            )
            policy = bucket.arn.apply(
                lambda arn: json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "PublicReadSiteObjects",
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Resource": f"{arn}/*",
                        },
                        # The website endpoint is HTTP-only, so a plain "deny s3:* without
                        # TLS" would also deny every visitor's GetObject. Everything else
                        # (writes, deletes, listing, configuration) still requires TLS.
                        tls_only_statement(arn, except_actions=["s3:GetObject"]),
                    ],
                }))
            self.url = website.website_endpoint.apply(lambda e: f"http://{e}")

        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=policy,
            # A public policy is refused while the public access block still blocks it.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[access_block]),
        )

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        # scheme://host, no path: what the API's CORS configuration compares with Origin.
        self.origin = self.url
        self.register_outputs({
            "bucket_name": self.bucket_name,
            "bucket_arn": self.bucket_arn,
            "url": self.url,
            "origin": self.origin,
            "distribution_id": self.distribution_id,
            "distribution_arn": self.distribution_arn,
        })

    def _distribution(self, name: str, s: Settings, bucket: aws.s3.Bucket,
                      tags: dict[str, str], child: pulumi.ResourceOptions) -> aws.cloudfront.Distribution:
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
                    "access_control_max_age_sec": 31536000,
                    "include_subdomains": True,
                    "preload": False,
                    "override": True,
                },
                "content_type_options": {"override": True},
                "frame_options": {"frame_option": "DENY", "override": True},
                "referrer_policy": {"referrer_policy": "strict-origin-when-cross-origin",
                                    "override": True},
            },
            opts=child,
        )
        spa_fallback = [
            # The private bucket answers 403 (not 404) for missing keys; both mean "a client
            # route", so serve the app and let it route.
            {"error_code": code, "response_code": 200, "response_page_path": f"/{INDEX_DOCUMENT}",
             "error_caching_min_ttl": 10}
            for code in (403, 404)
        ]
        return aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            comment=s.name("frontend"),
            default_root_object=INDEX_DOCUMENT,
            origins=[{
                "domain_name": bucket.bucket_regional_domain_name,
                "origin_id": ORIGIN_ID,
                "origin_access_control_id": oac.id,
            }],
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
            viewer_certificate={
                "cloudfront_default_certificate": True,
                # Requested floor. With the default *.cloudfront.net certificate CloudFront
                # applies its own policy; an ACM certificate (custom domain) makes TLS 1.2
                # the enforced minimum.
                "minimum_protocol_version": "TLSv1.2_2021",
            },
            tags=tags,
            opts=child,
        )
