"""Deploy steps the pipeline's CodeBuild projects run (see buildspecs/).

Each module is a small CLI (`python -m deploy.<module> --help`) over plain functions that take
injected boto3 clients, so the same code is tested against moto. They need only boto3 and the
standard library: the Lambda and frontend builds install nothing else.

    bootstrap_backend  once per account, from a laptop: the S3 state bucket + KMS key Pulumi uses
    stack_outputs      infrastructure build: `pulumi stack output --json` -> the pipeline artifact
    lambdas            Lambda builds: deterministic zips, update code, publish, move `live`
    frontend           frontend build: .env.production from the artifact, sync dist/ to S3, CDN
    pipeline_rerun     infrastructure build: re-run the pipeline when `pulumi up` changed it
    restore            recovery runbook: users table point-in-time restore, S3 object versions
"""


class DeployError(RuntimeError):
    """A deploy step cannot continue; the message says what to do about it."""
