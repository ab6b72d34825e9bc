"""deploy.pipeline_rerun: when the infrastructure stage's `pulumi up` changes the pipeline
itself, CodePipeline fails the running execution once the action ends (the later stages of
that commit never run), so the stage starts a new execution of the same commit."""

from __future__ import annotations

import importlib
import json
import re

import boto3
import pytest
from moto import mock_aws

from tests.test_buildspecs import commands, load

REGION = "us-east-2"
PIPELINE = "futureim-ecommerce-ai-platform-pipeline-dev"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def rerun():
    return importlib.import_module("deploy.pipeline_rerun")


def definition(role="arn:aws:iam::123456789012:role/pipeline-role", builds=("Infrastructure",)):
    return {
        "name": PIPELINE,
        "roleArn": role,
        "artifactStore": {"type": "S3", "location": "artifacts-bucket"},
        "stages": [
            {
                "name": "Source",
                "actions": [
                    {
                        "name": "Source",
                        "actionTypeId": {
                            "category": "Source",
                            "owner": "AWS",
                            "provider": "CodeStarSourceConnection",
                            "version": "1",
                        },
                        "outputArtifacts": [{"name": "source_output"}],
                        "configuration": {"BranchName": "master"},
                    }
                ],
            },
            *(
                {
                    "name": build,
                    "actions": [
                        {
                            "name": build,
                            "actionTypeId": {
                                "category": "Build",
                                "owner": "AWS",
                                "provider": "CodeBuild",
                                "version": "1",
                            },
                            "inputArtifacts": [{"name": "source_output"}],
                            "configuration": {"ProjectName": build.lower()},
                        }
                    ],
                }
                for build in builds
            ),
        ],
    }


class RecordingPipelineClient:
    """moto's CodePipeline, plus StartPipelineExecution (which moto does not implement)."""

    def __init__(self, client) -> None:
        self.client = client
        self.started: list[dict] = []

    def start_pipeline_execution(self, **kwargs):
        self.started.append(kwargs)
        return {"pipelineExecutionId": f"exec-{len(self.started)}"}

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture()
def codepipeline(monkeypatch):
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "codepipeline.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        )
        iam.create_role(RoleName="pipeline-role", AssumeRolePolicyDocument=trust)
        iam.create_role(RoleName="pipeline-role-2", AssumeRolePolicyDocument=trust)
        client = boto3.client("codepipeline", region_name=REGION)
        client.create_pipeline(pipeline=definition())
        yield RecordingPipelineClient(client)


def test_an_unchanged_pipeline_starts_nothing(codepipeline, tmp_path):
    snapshot = tmp_path / "before.json"
    rerun().snapshot(codepipeline, PIPELINE, snapshot)
    # `pulumi up` changed other resources only.
    started = rerun().restart_if_changed(codepipeline, PIPELINE, snapshot, commit=COMMIT)
    assert started is None and codepipeline.started == []


@pytest.mark.parametrize(
    "change",
    [
        {"builds": ("Infrastructure", "BuildLambdas")},  # a stage added
        {"role": "arn:aws:iam::123456789012:role/pipeline-role-2"},  # the role replaced
    ],
)
def test_a_changed_pipeline_starts_a_new_execution_of_the_same_commit(codepipeline, tmp_path, change):
    snapshot = tmp_path / "before.json"
    rerun().snapshot(codepipeline, PIPELINE, snapshot)
    codepipeline.update_pipeline(pipeline=definition(**change))  # what `pulumi up` did
    started = rerun().restart_if_changed(codepipeline, PIPELINE, snapshot, commit=COMMIT)
    assert started == "exec-1"
    [call] = codepipeline.started
    assert call["name"] == PIPELINE
    # The same commit, not whatever the branch points at by the time the queue reaches it.
    assert call["sourceRevisions"] == [
        {"actionName": "Source", "revisionType": "COMMIT_ID", "revisionValue": COMMIT}
    ]
    assert call["clientRequestToken"]  # idempotent if the build retries the command


def test_a_pipeline_created_by_this_run_starts_nothing(codepipeline, tmp_path):
    # The first `pulumi up` (from a laptop) creates the pipeline; CodePipeline starts it itself.
    snapshot = tmp_path / "before.json"
    rerun().snapshot(codepipeline, "not-yet-created", snapshot)
    assert json.loads(snapshot.read_text())["exists"] is False
    assert rerun().restart_if_changed(codepipeline, "not-yet-created", snapshot, commit=COMMIT) is None


def test_infrastructure_buildspec_snapshots_before_and_restarts_after_pulumi_up():
    build = commands(load("infrastructure"), "build")

    def index(pattern):
        return next(i for i, c in enumerate(build) if re.search(pattern, c))

    snapshot = index(r"deploy\.pipeline_rerun snapshot")
    up = index(r"^pulumi up")
    restart = index(r"deploy\.pipeline_rerun restart-if-changed")
    assert snapshot < up < restart
    assert "$PIPELINE_NAME" in build[snapshot] and "$PIPELINE_NAME" in build[restart]
    assert "CODEBUILD_RESOLVED_SOURCE_VERSION" in build[restart]


def test_the_infrastructure_project_knows_its_pipeline(dev):
    project = dev.one("aws:codebuild/project:Project", "pipeline-infrastructure")
    env = {v["name"]: v["value"] for v in project.get("environment.environmentVariables")}
    pipeline = dev.one("aws:codepipeline/pipeline:Pipeline", "pipeline")
    assert env["PIPELINE_NAME"] == pipeline.inputs["name"]
