// The classic way to accept photo uploads, as its README and countless tutorials
// write it: Express + multer + multer-s3. Every byte of every upload goes through
// this process on its way to the bucket. Kept faithful on purpose: library
// defaults, no limits, no tuning — the benchmark compares our flow against this.
//
//   node --import tsx bench/baselines/express-multer-s3.ts
//   env: PORT, S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION
//
// The only settings are the ones any deployment needs to reach its bucket
// (endpoint, credentials, and path-style addressing, which the embedded S3 needs).

import { S3Client } from "@aws-sdk/client-s3";
import express from "express";
import multer from "multer";
import multerS3 from "multer-s3";

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const s3 = new S3Client({
  region: process.env.S3_REGION ?? "us-east-1",
  endpoint: required("S3_ENDPOINT"),
  forcePathStyle: true,
  credentials: { accessKeyId: required("S3_ACCESS_KEY_ID"), secretAccessKey: required("S3_SECRET_ACCESS_KEY") },
});

const upload = multer({
  storage: multerS3({
    s3,
    bucket: required("S3_BUCKET"),
    key: (_req, file, cb) => cb(null, `${Date.now()}-${file.originalname}`),
  }),
});

const app = express();

app.post("/upload", upload.single("file"), (req, res) => {
  const file = req.file as (Express.Multer.File & { location?: string }) | undefined;
  if (!file) {
    res.status(400).json({ error: "No file" });
    return;
  }
  res.json({ location: file.location });
});

const port = Number(process.env.PORT ?? 3001);
app.listen(port, "127.0.0.1", () => console.log(`baseline listening on 127.0.0.1:${port}`));
