# A GPU worker: CUDA 11.8 + cuDNN 8, the combination @tensorflow/tfjs-node-gpu 4.22's
# libtensorflow 2.9 is built against. Its install script downloads libtensorflow, so this
# image needs network access at build time (unlike the rest of metaopt).
FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS base
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg python3 make g++ \
      dataset-fashion-mnist \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
 && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/*

FROM base AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/ apps/
COPY packages/ packages/
COPY prisma/ prisma/
COPY prisma.config.ts ./
COPY scripts/ scripts/
RUN npm ci --no-audit --no-fund \
 && npm install --no-save --no-audit --no-fund --foreground-scripts \
      -w @metaopt/l2l @tensorflow/tfjs-node-gpu@4.22.0

FROM base
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=1000:1000 /app ./
COPY --chown=1000:1000 . .
USER 1000
CMD ["node", "--import", "tsx", "apps/worker/src/main.ts"]
