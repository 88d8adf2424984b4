# Image for bin/server and bin/worker in the scale-out topology (docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 @swc/core esbuild protobufjs
COPY . .
ENV NODE_ENV=production
