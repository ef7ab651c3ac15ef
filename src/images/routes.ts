// GET /images/{sha256}.png: stored images, public and immutable (named by their content hash). Google Wallet
// fetches logos from here when a template gives a data: URI or an Airship stock image.
import type { FastifyPluginAsync } from "fastify";
import { notFound } from "../errors.js";
import type { ImageStore } from "./image-store.js";

export const imageRoutes: FastifyPluginAsync<{ images: ImageStore }> = async (app, { images }) => {
  app.get<{ Params: { file: string } }>("/images/:file", { schema: { hide: true } }, async (request, reply) => {
    const hash = /^([0-9a-f]{64})\.png$/.exec(request.params.file)?.[1];
    const data = hash ? (await images.load([hash])).get(hash) : undefined;
    if (!data) throw notFound("Image");
    return reply
      .header("content-type", "image/png")
      .header("cache-control", "public, max-age=31536000, immutable")
      .send(data);
  });
};
