# A worker without a GPU: TensorFlow.js on the wasm backend (or tfjs-node where it installs).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/ apps/
COPY packages/ packages/
COPY prisma/ prisma/
COPY prisma.config.ts ./
COPY scripts/ scripts/
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
# Debian's Fashion-MNIST, for the transfer experiment (examples/fashion-mnist-transfer…).
RUN apt-get update \
 && apt-get install -y --no-install-recommends dataset-fashion-mnist \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app ./
COPY --chown=node:node . .
USER node
# node runs as PID 1 and handles SIGTERM itself (apps/worker/src/main.ts).
CMD ["node", "--import", "tsx", "apps/worker/src/main.ts"]
