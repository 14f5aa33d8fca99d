# syntax=docker/dockerfile:1
#
# Shouhu production image. One image, two roles:
#   api    (default)  node dist/apps/api/src/main.js     - HTTP API, applies DB migrations on start
#   worker            node dist/apps/worker/src/main.js  - BullMQ workers (scale horizontally)
# See docker-compose.yml.

############################ build ############################
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Dependencies first, so the layer is cached until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci

COPY . .
RUN npm run build

########################### runtime ###########################
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Production dependencies only (devDependencies such as typescript, jest, @nestjs/cli are
# left out; the dependency-cruiser rule not-to-dev-dep keeps app code from needing them).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY --from=build /app/dist ./dist

# DATA_DIR (./data) is only used in embedded mode (PGlite / embedded redis-server), but make
# it writable for the unprivileged user in case the image is run that way.
RUN mkdir -p /app/data && chown node:node /app/data

USER node
# The app binds 127.0.0.1 by default; inside a container it must listen on all interfaces.
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000

CMD ["node", "dist/apps/api/src/main.js"]
