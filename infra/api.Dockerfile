# The API (and the one-shot migration): Node on Debian slim, no numerics backend beyond
# the pure-JS one the shared packages import.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/cli/package.json apps/cli/
COPY packages/ packages/
COPY prisma/ prisma/
COPY prisma.config.ts ./
COPY scripts/ scripts/
RUN npm ci --omit=optional --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app ./
COPY --chown=node:node . .
USER node
EXPOSE 3000
# node runs as PID 1 and handles SIGTERM itself (apps/api/src/main.ts).
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
