"""SDS-CLIP: distil Stable Diffusion's visio-linguistic reasoning into CLIP by tuning its LayerNorms."""
__version__ = "0.1.0"
