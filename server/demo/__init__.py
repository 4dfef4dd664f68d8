"""The demo programme: simulated participants for a believable first start."""
