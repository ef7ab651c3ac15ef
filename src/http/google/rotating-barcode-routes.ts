// POST /v1/pass/{id}/rotatingBarcode/verify (our extension): a scanner asks whether the code it read is the one a
// Google pass's rotating barcode shows now — the pass's TOTP key never leaves the server.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";
import type { PassService } from "../../core/passes/service.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import type { GoogleWallet } from "../../google/google-wallet.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";

const Body = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 1000, description: "What the scanner read" }) },
  { examples: [{ value: "12345678" }] },
);

export const rotatingBarcodeRoutes: FastifyPluginAsyncTypebox<{
  passes: Pick<PassService, "find">;
  wallet: Pick<GoogleWallet, "verifyRotatingBarcode">;
}> = async (app, { passes, wallet }) => {
  for (const [path, params, form] of [
    ["/pass/:id/rotatingBarcode/verify", Type.Object({ id: NumericIdParam }), ""],
    ["/pass/id/:externalId/rotatingBarcode/verify", Type.Object({ externalId: ExternalIdParam }), " (external ID)"],
  ] as const) {
    app.post(
      path,
      {
        config: access("wpas", "pass", { reads: true }),
        schema: {
          tags: ["Passes"],
          summary: `Check a code read from a Google pass's rotating barcode${form}`,
          description:
            "Answers whether the value is what the pass shows now (the current period, or one either side). A pass " +
            "without a rotating barcode is a 400.",
          params,
          body: Body,
          response: { 200: Type.Object({ valid: Type.Boolean() }) },
        },
      },
      async (request) => {
        const p = request.params as { id?: string; externalId?: string };
        const key = p.externalId !== undefined ? { externalId: p.externalId } : { id: numericId(p.id!, "Pass") };
        const pass = await passes.find(accountOf(request), key);
        const valid = await wallet.verifyRotatingBarcode(pass.id, request.body.value);
        if (valid === undefined) throw new InvalidInput(["this pass shows no rotating barcode"]);
        return { valid };
      },
    );
  }
};
