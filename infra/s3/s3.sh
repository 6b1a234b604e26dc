#!/usr/bin/env bash
# The S3-compatible object store of the local stack: S3Proxy (from Maven Central) with its
# filesystem backend, on loopback, AWS signature v2/v4 with the credentials of .lakepipe/secrets.env.
# Buckets are folders under .lakepipe/services/s3/buckets.
# Usage: infra/s3/s3.sh start|stop|status|restart
#        infra/s3/s3.sh bucket <name>   create a bucket unless it exists (e.g. the lakehouse bucket of
#                                       config/cluster-s3.conf: s3a writes into a bucket, never creates one)
source "$(dirname "${BASH_SOURCE[0]}")/../lib/service.sh"

# shellcheck disable=SC2034  # read by infra/lib/service.sh's functions
SERVICE_NAME=s3
SERVICE_URL="http://${LAKEPIPE_BIND_HOST}:${S3_PORT}"
S3PROXY_LIBS="$LAKEPIPE_STATE/s3proxy/libs"

service_start_command() {
  [[ -d "$S3PROXY_LIBS" ]] || { echo "S3Proxy is not installed; run ./lakepipe setup" >&2; exit 1; }
  [[ -n "${AWS_ACCESS_KEY_ID:-}" && -n "${AWS_SECRET_ACCESS_KEY:-}" ]] \
    || { echo "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set; run ./lakepipe setup" >&2; exit 1; }
  mkdir -p "$SERVICE_DATA/buckets"
  # The properties hold the secret: written owner-only, under the git-ignored state folder.
  (
    umask 077
    cat > "$SERVICE_DATA/s3proxy.properties" <<PROPERTIES
s3proxy.endpoint=$SERVICE_URL
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$SERVICE_DATA/buckets
PROPERTIES
  )
  printf '%q ' exec java -Xmx512m \
    -Dlogback.configurationFile="$LAKEPIPE_HOME/infra/s3/logback.xml" -cp "$S3PROXY_LIBS/*" org.gaul.s3proxy.Main \
    --properties "$SERVICE_DATA/s3proxy.properties"
}

# A signed ListBuckets call: proves the server is up and accepts our credentials. curl signs but
# does not send the payload hash that S3 requires, so it is given: the SHA-256 of an empty body.
service_health() {
  curl -fsS --max-time 2 --aws-sigv4 "aws:amz:${AWS_REGION:-us-east-1}:s3" \
    --user "${AWS_ACCESS_KEY_ID:-}:${AWS_SECRET_ACCESS_KEY:-}" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "$SERVICE_URL/" >/dev/null 2>&1
}

# A signed CreateBucket call; a bucket we already own counts as made (S3 answers 409 BucketAlreadyOwnedByYou).
service_bucket() {
  local bucket="${1:-}" out code
  [[ "$bucket" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] \
    || { echo "usage: $0 bucket <name> (3-63 lower-case letters, digits, dots, hyphens)" >&2; return 2; }
  out="$(mktemp)"
  code="$(curl -sS --max-time 10 -o "$out" -w '%{http_code}' -X PUT --aws-sigv4 "aws:amz:${AWS_REGION:-us-east-1}:s3" \
    --user "${AWS_ACCESS_KEY_ID:-}:${AWS_SECRET_ACCESS_KEY:-}" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "$SERVICE_URL/$bucket")" || code=000
  if [[ "$code" == 200 ]]; then
    echo "bucket $bucket created at $SERVICE_URL"
  elif [[ "$code" == 409 ]] && grep -q BucketAlreadyOwnedByYou "$out"; then
    echo "bucket $bucket exists at $SERVICE_URL"
  else
    echo "could not create bucket $bucket at $SERVICE_URL (HTTP $code: $(head -c 300 "$out")); is the server up (infra/s3/s3.sh status)?" >&2
    rm -f "$out"; return 1
  fi
  rm -f "$out"
}

if [[ "${1:-}" == bucket ]]; then
  service_paths
  service_bucket "${2:-}"
  exit
fi
service_main "$@"
