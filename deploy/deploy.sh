#!/usr/bin/env bash
# Deploys ferret on AWS: uploads the state machine definition that ferret renders
# (statemachine/definitions/batch.asl.json, or batch-distributed.asl.json with
# --distributed) to an artifacts bucket, then creates or updates the CloudFormation stack
# of deploy/template.yaml. Needs the AWS CLI (credentials of the deploying account) and
# python3. See deploy/README.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: deploy/deploy.sh --prefix P --image URI --subnets SUBNET[,SUBNET...] --security-group SG [options] [-- KEY=VALUE...]

  --prefix P                 bucket prefix (buckets P-data-pipeline-*), activity P-tasks, state machine P-batch
  --image URI                the ferret image in ECR (see deploy/README.md)
  --subnets LIST             subnets of the Fargate workers, comma-separated
  --security-group SG        security group of the workers (outbound 443 only)
  --distributed              deploy the Distributed Map variant (all workers share each batch)
  --workers N                Fargate workers (default 2)
  --schedule EXPR            EventBridge Scheduler expression (default "rate(6 hours)")
  --review-email ADDR        subscribe ADDR to the review topic
  --heartbeat-seconds N      HeartbeatSeconds of every Task that has one (default: the definition's)
  --review-timeout-seconds N how long AwaitReview waits for a decision (default: the definition's, 432000 = 5 days)
  --definition FILE          another definition file than statemachine/definitions/*.asl.json
  --artifacts-bucket NAME    where the definition is uploaded (default P-ferret-deploy-ACCOUNT, created if missing)
  --stack-name NAME          default P-ferret
  --region REGION            default: the AWS CLI's
  --dry-run                  prepare the definition and print the AWS commands instead of running them
  -- KEY=VALUE...            more template parameters, e.g. WorkerCpu=2048 WorkerMemory=4096 IdentifiersPath=/etc/ferret/identifiers.toml
USAGE
}

cd "$(dirname "$0")/.."
prefix="" image="" subnets="" security_group="" distributed=false workers="" schedule=""
review_email="" heartbeat="" review_timeout="" definition="" artifacts="" stack="" region="" dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --image) image="$2"; shift 2 ;;
    --subnets) subnets="$2"; shift 2 ;;
    --security-group) security_group="$2"; shift 2 ;;
    --distributed) distributed=true; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --schedule) schedule="$2"; shift 2 ;;
    --review-email) review_email="$2"; shift 2 ;;
    --heartbeat-seconds) heartbeat="$2"; shift 2 ;;
    --review-timeout-seconds) review_timeout="$2"; shift 2 ;;
    --definition) definition="$2"; shift 2 ;;
    --artifacts-bucket) artifacts="$2"; shift 2 ;;
    --stack-name) stack="$2"; shift 2 ;;
    --region) region="$2"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    *) echo "deploy.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
for required in prefix image subnets security_group; do
  if [ -z "${!required}" ]; then
    echo "deploy.sh: --${required//_/-} is required" >&2
    usage >&2
    exit 2
  fi
done

aws=(aws)
[ -n "$region" ] && aws+=(--region "$region")
run() {
  if $dry_run; then
    printf '%q ' "$@"
    echo
  else
    "$@"
  fi
}

if [ -z "$definition" ]; then
  if $distributed; then
    definition=statemachine/definitions/batch-distributed.asl.json
  else
    definition=statemachine/definitions/batch.asl.json
  fi
fi
[ -f "$definition" ] || { echo "deploy.sh: $definition not found" >&2; exit 2; }

# The definition as uploaded: ferret's, with the chosen heartbeat and review timeout. Its
# key carries its hash, so a changed definition is a changed stack parameter.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prepare=(python3 deploy/definition.py prepare "$definition" "$work/definition.asl.json")
[ -n "$heartbeat" ] && prepare+=(--heartbeat-seconds "$heartbeat")
[ -n "$review_timeout" ] && prepare+=(--review-timeout-seconds "$review_timeout")
"${prepare[@]}"
digest="$(sha256sum "$work/definition.asl.json" | cut -c1-16)"
key="statemachine/$(basename "$definition" .asl.json)-$digest.asl.json"

if [ -z "$artifacts" ]; then
  if $dry_run; then
    account="ACCOUNT"
  else
    account="$("${aws[@]}" sts get-caller-identity --query Account --output text)"
  fi
  artifacts="$prefix-ferret-deploy-$account"
fi
if $dry_run || ! "${aws[@]}" s3api head-bucket --bucket "$artifacts" >/dev/null 2>&1; then
  echo "creating the artifacts bucket $artifacts (if missing)"
  bucket_region="${region:-$("${aws[@]}" configure get region || true)}"
  if [ -n "$bucket_region" ] && [ "$bucket_region" != "us-east-1" ]; then
    run "${aws[@]}" s3api create-bucket --bucket "$artifacts" \
      --create-bucket-configuration "LocationConstraint=$bucket_region"
  else
    run "${aws[@]}" s3api create-bucket --bucket "$artifacts"
  fi
  run "${aws[@]}" s3api put-public-access-block --bucket "$artifacts" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
fi
run "${aws[@]}" s3 cp "$work/definition.asl.json" "s3://$artifacts/$key" --only-show-errors

parameters=(
  "Prefix=$prefix"
  "ContainerImage=$image"
  "VpcSubnets=$subnets"
  "SecurityGroup=$security_group"
  "Distributed=$distributed"
  "DefinitionBucket=$artifacts"
  "DefinitionKey=$key"
)
[ -n "$workers" ] && parameters+=("WorkerCount=$workers")
[ -n "$schedule" ] && parameters+=("ScheduleExpression=$schedule")
[ -n "$review_email" ] && parameters+=("ReviewEmail=$review_email")
parameters+=("$@")

stack="${stack:-$prefix-ferret}"
run "${aws[@]}" cloudformation deploy \
  --template-file deploy/template.yaml \
  --stack-name "$stack" \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --parameter-overrides "${parameters[@]}"
run "${aws[@]}" cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output table
