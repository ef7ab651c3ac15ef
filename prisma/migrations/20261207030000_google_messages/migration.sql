-- Messages an issuer put on a Google pass (Airship's POST /pass/{id}/message): kept on the pass and sent in its
-- Google object's `messages`, the newest ten. A constant default: no table rewrite.
ALTER TABLE "passes" ADD COLUMN "google_messages" JSONB NOT NULL DEFAULT '[]';
