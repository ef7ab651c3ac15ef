# The wallet pass server on Node 24 LTS. Three stages: compile, production dependencies, runtime. The runtime image
# holds compiled JavaScript, production dependencies (trimmed) and the migrations, and runs as the `node` user.
# Same image for API containers (the default command) and worker containers (`node dist/src/worker.js`).
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Compile: the full install, then tsc to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies only: no Prisma CLI, TypeScript, tsx or embedded Postgres (optional), then trimmed of
#    what no running program reads (scripts/slim-node-modules.mjs says what). The previews' renderer
#    (@resvg/resvg-js) loads a native binary from an optional package of this platform: taken from the full install.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --omit=peer --ignore-scripts --no-audit --no-fund
COPY --from=build /app/node_modules/@resvg ./node_modules/@resvg
COPY scripts/slim-node-modules.mjs ./scripts/
RUN node scripts/slim-node-modules.mjs node_modules

# 3. Runtime.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY console ./console
COPY prisma/migrations ./prisma/migrations
COPY certs/apple-wwdr-g4.pem ./certs/apple-wwdr-g4.pem
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The heap is capped (see docs/scaling.md): a long push or sync run then collects its garbage instead of growing.
ENV WALLET_MAX_HEAP_MB=192
# Node runs as PID 1 (exec): SIGTERM reaches the server's graceful shutdown directly.
CMD ["sh", "-c", "exec node --max-old-space-size=$WALLET_MAX_HEAP_MB dist/src/server.js"]
