"""Service directory, referrals, the provider inbox and notifications."""
