# The ferret worker image: `docker build -t ferret .` then push it to ECR (deploy/README.md).
# Runs `ferret worker` by default; any other command works too (`docker run ferret scan ...`).
#
# Settings come from the environment (deploy/template.yaml sets them): FERRET_ACTIVITY_ARN,
# FERRET_STORE=s3, FERRET_PREFIX, FERRET_MANAGED, FERRET_CONCURRENCY,
# FERRET_NOTIFY_SNS_TOPIC, FERRET_EXPECTED_BUCKET_OWNER and, for custom data identifiers,
# FERRET_IDENTIFIERS. The working directory is /etc/ferret, so a derived image can add its
# identifiers and an optional ferret.toml there:
#   FROM ferret
#   COPY identifiers.toml /etc/ferret/identifiers.toml
# and deploy with IdentifiersPath=/etc/ferret/identifiers.toml.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# BuildKit cache mounts keep the crate registry and the target directory between builds.
RUN --mount=type=cache,id=ferret-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=ferret-target,target=/src/target \
    cargo build --release --locked --bin ferret \
 && install -D -m 0755 target/release/ferret /out/ferret

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 ferret \
 && useradd --system --uid 10001 --gid ferret --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin ferret \
 && mkdir -p /etc/ferret
COPY --from=build /out/ferret /usr/local/bin/ferret
# Large zip archives and workbooks are spooled to a temporary file: with a read-only root
# file system, give the container a writable /tmp (the template mounts one).
ENV TMPDIR=/tmp
WORKDIR /etc/ferret
USER 10001:10001
ENTRYPOINT ["ferret"]
CMD ["worker"]
