"""The rehabilitation plan's preparatory part (da: rehabiliteringsplanens forberedende del):
four sections the participant and the caseworker fill in together before the
rehabilitation team meets, saved as versions and locked by the caseworker."""
