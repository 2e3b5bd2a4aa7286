(generated from an installed package; compared by presence only)
