# Zhiku API and worker image (the same image; the command picks the role).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev && mkdir -p prompts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data PORT=3000
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/prompts ./prompts
VOLUME ["/data"]
EXPOSE 3000
ENTRYPOINT ["node", "bin/zhiku.js"]
CMD ["serve"]
