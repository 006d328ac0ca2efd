# A GPU worker: @tensorflow/tfjs-node-gpu 4.22 on CUDA 11 and cuDNN 8. Its libtensorflow 2.9
# was built for CUDA 11.2 and cuDNN 8.1; it loads the CUDA 11 and cuDNN 8 libraries by their
# major-version names, which 11.8 and its cuDNN 8 provide. (Not run on a GPU by us: the
# machines metaopt is developed on have none.) The package's install script downloads
# libtensorflow, so this image needs network access at build time (unlike the rest).
FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS base
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg python3 make g++ \
      dataset-fashion-mnist \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
 && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --create-home metaopt

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
COPY --from=deps --chown=metaopt:metaopt /app ./
COPY --chown=metaopt:metaopt . .
USER metaopt
CMD ["node", "--import", "tsx", "apps/worker/src/main.ts"]
