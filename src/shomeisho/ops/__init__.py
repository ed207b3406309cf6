"""Operations: the service's own health, its end-to-end self-check and the alerts it raises."""
