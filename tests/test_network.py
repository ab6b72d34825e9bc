"""Network under mocks: what the program asks of awsx and AWS for each stack."""

from __future__ import annotations

import ipaddress
import json

import pulumi
import pulumi_aws as aws
import pytest

from components.network import Network, NetworkArgs, route_table_ids_of, subnet_masks
from components.settings import MAX_ROLE_NAME
from preview.harness import ProgramRun, run, taggable

VPC = "awsx:ec2:Vpc"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SG = "aws:ec2/securityGroup:SecurityGroup"
STACKS = ("dev", "prod")


def network_run(settings_for, stack: str) -> ProgramRun:
    settings = settings_for(stack)

    def program() -> None:
        network = Network("network", NetworkArgs(settings=settings))
        pulumi.export("vpcId", network.vpc_id)
        pulumi.export("privateSubnetIds", network.private_subnet_ids)
        pulumi.export("publicSubnetIds", network.public_subnet_ids)
        pulumi.export("lambdaSecurityGroupId", network.lambda_security_group_id)

    return run(program, stack=stack)


@pytest.fixture(params=STACKS)
def net(request, settings_for) -> ProgramRun:
    return network_run(settings_for, request.param)


# ---- VPC --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "cidr", "azs", "nat"),
    [
        ("dev", "10.0.0.0/16", 2, "Single"),
        ("prod", "10.1.0.0/16", 3, "OnePerAz"),
    ],
)
def test_vpc_cidr_azs_and_nat_per_stack(settings_for, stack, cidr, azs, nat):
    vpc = network_run(settings_for, stack).one(VPC)
    assert vpc.get("cidrBlock") == cidr
    assert vpc.get("numberOfAvailabilityZones") == azs
    assert vpc.get("natGateways.strategy") == nat


def test_vpc_has_public_and_private_subnets_and_dns(net):
    vpc = net.one(VPC)
    specs = {spec["type"]: spec for spec in vpc.get("subnetSpecs")}
    assert set(specs) == {"Public", "Private"}  # no isolated subnets: Lambdas need egress
    assert specs["Private"]["cidrMask"] == 20 and specs["Public"]["cidrMask"] == 22
    assert vpc.get("enableDnsHostnames") is True
    assert vpc.get("enableDnsSupport") is True


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.9.0.0/18", "172.16.0.0/20"])
def test_subnets_of_six_azs_fit_the_vpc(cidr):
    public, private = subnet_masks(cidr)
    network = ipaddress.ip_network(cidr)
    per_az = 2 ** (32 - public) + 2 ** (32 - private)
    assert 6 * per_az <= network.num_addresses
    assert private <= 24  # room for many Lambda ENIs per AZ even in a /20


def test_vpc_does_not_rely_on_awsx_endpoint_specs(net):
    # awsx creates spec'd gateway endpoints without route tables (pulumi-awsx#1627).
    assert not net.one(VPC).get("vpcEndpointSpecs")


# ---- gateway endpoints ------------------------------------------------------------------------


def test_s3_and_dynamodb_gateway_endpoints_in_the_vpc(net):
    vpc_id = net.one(VPC).outputs["vpcId"]
    endpoints = {e.get("serviceName"): e for e in net.of_type(ENDPOINT)}
    assert set(endpoints) == {"com.amazonaws.us-east-2.s3", "com.amazonaws.us-east-2.dynamodb"}
    for endpoint in endpoints.values():
        assert endpoint.get("vpcEndpointType") == "Gateway"
        assert endpoint.get("vpcId") == vpc_id
        assert not endpoint.get("subnetIds")  # gateway endpoints route, they have no ENIs


def test_route_table_ids_of_accepts_references_and_plain_ids():
    def program() -> None:
        tables = [aws.ec2.RouteTable(f"rt{i}", vpc_id="vpc-1") for i in range(2)]
        aws.ec2.VpcEndpoint(
            "probe",
            vpc_id="vpc-1",
            service_name="com.amazonaws.us-east-2.s3",
            route_table_ids=route_table_ids_of([*tables, "rtb-plain"]),
        )

    result = run(program)
    ids = result.one(ENDPOINT).get("routeTableIds")
    expected = [result.one("aws:ec2/routeTable:RouteTable", f"rt{i}").id for i in range(2)]
    assert ids == [*expected, "rtb-plain"]


# ---- flow logs --------------------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "retention"), [("dev", 14), ("prod", 90)])
def test_flow_logs_capture_all_traffic_to_a_retained_log_group(settings_for, stack, retention):
    result = network_run(settings_for, stack)
    flow_log = result.one(FLOW_LOG)
    log_group = result.one(LOG_GROUP)
    assert flow_log.get("trafficType") == "ALL"
    assert flow_log.get("vpcId") == result.one(VPC).outputs["vpcId"]
    assert flow_log.get("logDestinationType") == "cloud-watch-logs"
    assert flow_log.get("logDestination") == log_group.outputs["arn"]
    assert flow_log.get("iamRoleArn") == result.one(ROLE).outputs["arn"]
    assert log_group.get("retentionInDays") == retention


def test_flow_logs_role_trusts_only_the_flow_logs_service_of_this_account(net):
    trust = json.loads(net.one(ROLE).get("assumeRolePolicy"))
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"


def test_flow_logs_role_may_only_write_to_its_log_group(net):
    log_group_arn = net.one(LOG_GROUP).outputs["arn"]
    policy = json.loads(net.one(ROLE_POLICY).get("policy"))
    actions = {a for st in policy["Statement"] for a in st["Action"]}
    resources = {r for st in policy["Statement"] for r in st["Resource"]}
    assert all(st["Effect"] == "Allow" for st in policy["Statement"])
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
    }
    assert resources == {log_group_arn, f"{log_group_arn}:*"}


# ---- Lambda security group --------------------------------------------------------------------


def test_lambda_security_group_is_egress_only_https(net):
    sg = net.one(SG)
    assert sg.get("vpcId") == net.one(VPC).outputs["vpcId"]
    assert sg.get("ingress") == []
    (egress,) = sg.get("egress")
    assert (egress["protocol"], egress["fromPort"], egress["toPort"]) == ("tcp", 443, 443)
    assert egress["cidrBlocks"] == ["0.0.0.0/0"]


# ---- outputs, tags, names ---------------------------------------------------------------------


def test_outputs_come_from_the_vpc_and_security_group(net):
    vpc = net.one(VPC)
    azs = vpc.get("numberOfAvailabilityZones")
    assert net.outputs["vpcId"] == vpc.outputs["vpcId"]
    assert net.outputs["privateSubnetIds"] == vpc.outputs["privateSubnetIds"]
    assert net.outputs["publicSubnetIds"] == vpc.outputs["publicSubnetIds"]
    assert len(net.outputs["privateSubnetIds"]) == azs
    assert net.outputs["lambdaSecurityGroupId"] == net.one(SG).id


def test_every_taggable_resource_is_tagged_network(net):
    tagged = taggable(net.resources)
    assert {r.type for r in tagged} >= {VPC, ENDPOINT, FLOW_LOG, LOG_GROUP, ROLE, SG}
    for resource in tagged:
        assert (resource.get("tags") or {}).get("System") == "Network", resource.name


def test_children_are_parented_to_the_component(net):
    component = net.one("ecommerce:network:Network")
    assert {r.name for r in net.children(component)} >= {
        "network-vpc",
        "network-s3-endpoint",
        "network-dynamodb-endpoint",
        "network-flow-log",
        "network-flow-logs",
        "network-flow-logs-role",
        "network-flow-logs-policy",
        "network-lambda-sg",
    }


def test_names_fit_aws_limits(net):
    role_name = net.one(ROLE).get("name")
    assert role_name.endswith(f"-{net.stack}") and len(role_name) <= MAX_ROLE_NAME
    assert len(net.one(SG).get("name")) <= 255
    assert len(net.one(LOG_GROUP).get("name")) <= 512


def test_flow_log_group_is_encrypted_with_the_data_key(stack_run):
    # The encryption component comes first in __main__.py so the network can use the data CMK.
    log_group = stack_run.one(LOG_GROUP, "network-flow-logs")
    data_key = stack_run.one("aws:kms/key:Key", "data-key")
    assert log_group.get("kmsKeyId") == data_key.outputs["arn"]
