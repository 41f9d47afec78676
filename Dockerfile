# syntax=docker/dockerfile:1
# Multi-stage: build both apps with dev dependencies, run them with production dependencies only.
# Node 26 is the Active LTS line (docs/adr/0402-dependency-majors-and-node-line.md).
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json .swcrc ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

FROM node:26-trixie-slim AS runtime
ENV NODE_ENV=development
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
# Which app runs is chosen by the command: node dist/apps/producer/main.js | dist/apps/consumer/main.js [migrate]
CMD ["node", "dist/apps/producer/main.js"]
