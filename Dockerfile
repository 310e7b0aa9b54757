# The Styrmin worker image: the compiled worker and CLI (dist/), production packages only, a pinned
# Helm v3, and the example drivers with their workflow bundle prepared. It runs as the unprivileged
# `node` user and serves /healthz, /readyz and /metrics on port 8080.
#
#   docker build -t styrmin-worker:0.1.0 .
#
# Your drivers: mount a folder of drivers at /app/drivers (the worker then builds their bundle at
# start, into /app/bundles if writable), or build on top of this image so that it starts at once:
#
#   FROM styrmin-worker:0.1.0
#   COPY --chown=node:node my-drivers/ /app/drivers/
#   RUN node dist/worker.js --prepare

FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json worker.ts client.ts ./
COPY cli cli
COPY contract contract
COPY workflows workflows
COPY activities activities
COPY driver-spec driver-spec
COPY runtime runtime
COPY kubesim kubesim
COPY testing testing
COPY bin bin
COPY drivers drivers
COPY scripts/install-helm.sh scripts/
# The build ends by bundling the drivers' actions into STYRMIN_BUNDLE_CACHE (`worker.js --prepare`).
ENV STYRMIN_DRIVERS=/app/drivers STYRMIN_BUNDLE_CACHE=/app/bundles
RUN npm run build \
  && bash scripts/install-helm.sh \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    STYRMIN_DRIVERS=/app/drivers \
    STYRMIN_BUNDLE_CACHE=/app/bundles \
    STYRMIN_HTTP_PORT=8080 \
    HELM_BIN=/usr/local/bin/helm
COPY --from=build /app/.styrmin/bin/helm /usr/local/bin/helm
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
COPY --from=build --chown=node:node /app/drivers drivers
# Same paths as in the build stage: the prepared bundle's key names them, so the worker finds it.
COPY --from=build --chown=node:node /app/bundles bundles
# `node`, numeric so that Kubernetes can tell it is not root (runAsNonRoot)
USER 1000:1000
EXPOSE 8080
# SIGTERM: the worker stops polling, lets activities end for 10 s and exits within 25 s.
STOPSIGNAL SIGTERM
CMD ["node", "dist/worker.js"]
