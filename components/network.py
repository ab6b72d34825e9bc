"""Network: the VPC the Lambdas run in.

An `awsx.ec2.Vpc` (CIDR per stack) with public and private subnets over the stack's AZs, NAT
(one for dev, one per AZ for prod), S3 and DynamoDB gateway endpoints on every route table,
VPC flow logs to CloudWatch Logs, and an egress-only security group for the Lambdas.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from components.settings import Settings

SYSTEM = "Network"

# Gateway endpoints are free and keep S3/DynamoDB traffic off the NAT gateways (cost) and off
# the internet path (exposure). Interface endpoints would cost per AZ-hour; not needed here.
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")

_NAT_STRATEGY = {
    "single": awsx.ec2.NatGatewayStrategy.SINGLE,
    "onePerAz": awsx.ec2.NatGatewayStrategy.ONE_PER_AZ,
}


@dataclass
class NetworkArgs:
    settings: Settings
    # The data CMK for the flow-log group (the Encryption component is built first for it).
    log_kms_key_arn: pulumi.Input[str] | None = None


def subnet_masks(vpc_cidr: str) -> tuple[int, int]:
    """(public, private) subnet prefix lengths for a VPC CIDR.

    Private subnets hold the Lambdas' ENIs and get 1/16 of the VPC each; public subnets only
    hold NAT gateways and get 1/64 each. Six AZs use 30/64 of the space, leaving room to grow.
    """
    prefix = ipaddress.ip_network(vpc_cidr).prefixlen
    return prefix + 6, prefix + 4


def route_table_ids_of(tables: Sequence[aws.ec2.RouteTable | str] | None) -> pulumi.Output[list[str]]:
    """Ids of awsx's route tables. awsx returns resource references; one the SDK cannot
    rehydrate (provider version skew) arrives as its id instead."""
    return pulumi.Output.all(*[t if isinstance(t, str) else t.id for t in tables or []])


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    lambda_security_group_id: pulumi.Output[str]
    flow_log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce:network:Network", name, None, opts)
        settings = args.settings
        child = pulumi.ResourceOptions(parent=self)
        tags = settings.tags(SYSTEM)
        public_mask, private_mask = subnet_masks(settings.vpc_cidr)

        vpc = awsx.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=settings.vpc_cidr,
            number_of_availability_zones=settings.availability_zones,
            subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
            subnet_specs=[
                awsx.ec2.SubnetSpecArgs(
                    type=awsx.ec2.SubnetType.PUBLIC, name="public", cidr_mask=public_mask
                ),
                awsx.ec2.SubnetSpecArgs(
                    type=awsx.ec2.SubnetType.PRIVATE, name="private", cidr_mask=private_mask
                ),
            ],
            # dev: one NAT gateway (cheap, one AZ's failure cuts egress); prod: one per AZ so an
            # AZ outage does not take the other AZs' Lambdas offline.
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=_NAT_STRATEGY[settings.nat_strategy]),
            # Lambdas resolve AWS service names (and the gateway endpoints' prefix lists) through
            # the VPC resolver.
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": settings.name("vpc")},
            opts=child,
        )

        # awsx's `vpc_endpoint_specs` creates gateway endpoints without attaching them to any route
        # table (pulumi/pulumi-awsx#1627, by design), which would leave S3/DynamoDB traffic on the
        # NAT path. So the endpoints are created here, on every route table of the VPC.
        route_table_ids = vpc.route_tables.apply(route_table_ids_of)
        self.gateway_endpoints: dict[str, aws.ec2.VpcEndpoint] = {
            service: aws.ec2.VpcEndpoint(
                f"{name}-{service}-endpoint",
                vpc_id=vpc.vpc_id,
                service_name=f"com.amazonaws.{settings.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=route_table_ids,
                tags={**tags, "Name": settings.name(f"{service}-endpoint")},
                opts=child,
            )
            for service in GATEWAY_ENDPOINT_SERVICES
        }

        flow_log_group = self._flow_logs(name, settings, vpc.vpc_id, child, args.log_kms_key_arn)

        # Egress only: nothing calls into the Lambdas over the network (API Gateway invokes them
        # through the Lambda API). They call AWS APIs over HTTPS, through the gateway endpoints
        # (S3, DynamoDB) or the NAT (Secrets Manager, Athena, Bedrock, SES...). DNS to the VPC
        # resolver is not filtered by security groups, so no port 53 rule is needed.
        lambda_sg = aws.ec2.SecurityGroup(
            f"{name}-lambda-sg",
            name=settings.name("lambda"),
            description="Lambda functions: no ingress, HTTPS egress to AWS APIs",
            vpc_id=vpc.vpc_id,
            ingress=[],  # explicit: Pulumi removes any ingress rule added by hand
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="HTTPS to AWS APIs via NAT and gateway endpoints",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=["0.0.0.0/0"],
                )
            ],
            tags={**tags, "Name": settings.name("lambda")},
            opts=child,
        )

        self.vpc_id = vpc.vpc_id
        self.private_subnet_ids = vpc.private_subnet_ids
        self.public_subnet_ids = vpc.public_subnet_ids
        self.lambda_security_group_id = lambda_sg.id
        self.flow_log_group_name = flow_log_group.name
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
                "lambda_security_group_id": self.lambda_security_group_id,
                "flow_log_group_name": self.flow_log_group_name,
            }
        )

    def _flow_logs(
        self,
        name: str,
        settings: Settings,
        vpc_id: pulumi.Output[str],
        child: pulumi.ResourceOptions,
        kms_key_arn: pulumi.Input[str] | None = None,
    ) -> aws.cloudwatch.LogGroup:
        """All traffic (accepted and rejected) of the VPC to a CloudWatch log group."""
        tags = settings.tags(SYSTEM)
        # The data CMK (its policy lets CloudWatch Logs use it for this account's log groups):
        # flow logs name every peer of every Lambda. Retention bounds cost and exposure.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/aws/vpc/flow-logs/{settings.name('vpc')}",
            retention_in_days=settings.log_retention_days,
            kms_key_id=kms_key_arn,
            tags=tags,
            opts=child,
        )

        # Confused-deputy guard: only the flow-logs service acting for this account may assume it.
        trust: dict[str, Any] = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "VpcFlowLogsService",
                    "Effect": "Allow",
                    "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": settings.account_id},
                        "ArnLike": {
                            "aws:SourceArn": f"arn:aws:ec2:{settings.region}:{settings.account_id}:vpc-flow-log/*"
                        },
                    },
                }
            ],
        }
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            name=settings.name("vpc-flow-logs"),
            description="VPC flow logs delivery to CloudWatch Logs",
            assume_role_policy=json.dumps(trust),
            tags=tags,
            opts=child,
        )
        # The log group exists already, so no logs:CreateLogGroup; everything is scoped to it.
        policy = log_group.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "WriteFlowLogs",
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogGroups",
                                "logs:DescribeLogStreams",
                            ],
                            "Resource": [arn, f"{arn}:*"],
                        }
                    ],
                }
            )
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-flow-logs-policy",
            role=role.id,
            policy=policy,
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            tags={**tags, "Name": settings.name("vpc-flow-log")},
            # Without the policy in place the first deliveries fail with access denied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )
        return log_group
