"""Operations: health endpoints, backups, restores and purging old data."""
