"""The service directory, shaped like Open Referral HSDS."""
