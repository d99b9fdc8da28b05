# syntax=docker/dockerfile:1
# Gantry control plane image.
#
#   docker build -t gantry .
#   docker run -p 7070:7070 -v gantry-data:/var/lib/gantry gantry
#
# Without GANTRY_DATABASE_URL and GANTRY_BROKER_URL it runs with the embedded
# PGlite database in /var/lib/gantry and the in-process broker; see
# docker-compose.yml for PostgreSQL and RabbitMQ.

ARG NODE_VERSION=22

# ---- build: every dependency, then compile TypeScript ----
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
ENV CI=true NO_UPDATE_NOTIFIER=1
COPY package.json package-lock.json ./
COPY packages/gantry/package.json packages/gantry/package.json
COPY packages/gantry/bin packages/gantry/bin
COPY packages/dashboard/package.json packages/dashboard/package.json
# --ignore-scripts: the root prepare script builds, and the sources are not here yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json .prettierrc.json ./
COPY packages/gantry packages/gantry
COPY packages/dashboard packages/dashboard
# Builds the server and the dashboard (and prints the dashboard's first-page size).
RUN npm run build

# ---- runtime: production dependencies, compiled code, migrations and the built dashboard ----
FROM node:${NODE_VERSION}-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NO_UPDATE_NOTIFIER=1 \
    GANTRY_HOST=0.0.0.0 \
    GANTRY_PORT=7070 \
    GANTRY_DATA_DIR=/var/lib/gantry \
    GANTRY_LOG_FORMAT=json
COPY package.json package-lock.json ./
COPY packages/gantry/package.json packages/gantry/package.json
COPY packages/gantry/bin packages/gantry/bin
# The lock file names every workspace; the dashboard's dependencies are not installed (it is static files).
COPY packages/dashboard/package.json packages/dashboard/package.json
# --ignore-scripts: the root prepare script runs tsc, a dev dependency; the
# compiled code comes from the build stage instead.
RUN npm ci --omit=dev --ignore-scripts --workspace gantry --include-workspace-root --no-audit --no-fund \
    && npm cache clean --force
COPY --from=build /app/packages/gantry/dist packages/gantry/dist
COPY --from=build /app/packages/dashboard/dist packages/dashboard/dist
COPY packages/gantry/drizzle packages/gantry/drizzle
RUN mkdir -p /var/lib/gantry && chown node:node /var/lib/gantry
USER node
VOLUME ["/var/lib/gantry"]
EXPOSE 7070
# slim images have no curl: ask Node.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.GANTRY_PORT || 7070) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "packages/gantry/dist/main.js"]
CMD ["server"]
