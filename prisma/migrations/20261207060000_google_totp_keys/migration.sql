-- Each Google pass with a rotating barcode has its own TOTP key: made once, sealed under WALLET_ENCRYPTION_KEY (and
-- re-sealed by a key rotation), sent to Google only through its REST API, never in a save link.
CREATE TABLE "google_totp_keys" (
  "pass_id"    INTEGER PRIMARY KEY REFERENCES "passes"("id") ON DELETE CASCADE,
  "key_sealed" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
