"""Case attachments: files sealed under the person's data key, typed by content, audited."""
