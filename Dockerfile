# Formwork's production image: the output of `npm run build` with production dependencies only, run
# by node as the unprivileged `node` user. One image serves every role; the default command is the
# HTTP server, and docker-compose.yml runs the worker and the migrations from the same image:
#   node dist/bin/server.js | node dist/bin/worker.js | node dist/bin/migrate.js

# --- build: every dependency, the TypeScript compiler and the workflow bundler ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# a compiler for native modules that have no prebuilt binary for this platform (better-sqlite3)
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# the image talks to an external Temporal cluster: no Temporal CLI is provisioned
ENV FORMWORK_SKIP_TEMPORAL_PROVISION=1
COPY package.json package-lock.json ./
COPY scripts/provision-temporal.js scripts/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

# --- runtime: node, production node_modules and dist/ ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=3000 \
  DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "dist/bin/server.js"]
