"""Built-in layers, losses and optimizers, registered through entry points like any plugin."""
