from pipeline.cli import entry

# Guarded: worker processes started by spawn (Windows) import this module again.
if __name__ == "__main__":
    entry()
