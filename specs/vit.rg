resgraph 1
# Dosovitskiy, Beyer, Kolesnikov, Weissenborn, Zhai, Unterthiner, Dehghani, Minderer, Heigold,
# Gelly, Uszkoreit, Houlsby. "An Image is Worth 16x16 Words: Transformers for Image
# Recognition at Scale", ICLR 2021: the Vision Transformer (Table 1's Base, Large and Huge)
# in torchvision's layout and names (torchvision.models.vision_transformer). The image is cut
# into patches (a convolution of kernel and stride patch), each patch a token of hidden
# features; a learned class token goes first, a learned position embedding is added, and
# pre-norm transformer blocks (eq. 2-3: x + MSA(LN(x)), then x + MLP(LN(x))) follow; the class
# token's features, normalised, give the classes. A token is a row of an NxC tensor.
# torchvision's attention_dropout is a probability inside nn.MultiheadAttention that no
# analysis sees: the spec leaves it at torchvision's 0.

variant vit_b_16(patch=16, layers=12, heads=12, hidden=768, mlp_dim=3072) "ViT-B/16"
variant vit_b_32(patch=32, layers=12, heads=12, hidden=768, mlp_dim=3072) "ViT-B/32"
variant vit_l_16(patch=16, layers=24, heads=16, hidden=1024, mlp_dim=4096) "ViT-L/16"
variant vit_l_32(patch=32, layers=24, heads=16, hidden=1024, mlp_dim=4096) "ViT-L/32"
variant vit_h_14(patch=14, layers=32, heads=16, hidden=1280, mlp_dim=5120) "ViT-H/14"

param patch = 16
param layers = 12
param heads = 12
param hidden = 768
param mlp_dim = 3072
param drop_rate = 0.0
param num_classes = 1000
param image = 224

require patch >= 1 and image % patch == 0, "image must be a multiple of patch, the side of a patch"
require layers >= 1, "layers must be at least 1"
require heads >= 1 and hidden % heads == 0, "hidden must be a multiple of heads: each head takes hidden / heads features"
require mlp_dim >= 1, "mlp_dim must be at least 1"
require drop_rate >= 0 and drop_rate <= 1, "drop_rate (torchvision's dropout) must be between 0 and 1"

block encoder_block(heads, mlp_dim, drop = 0.0) "a pre-norm transformer block (Dosovitskiy et al. 2021, eq. 2-3): self-attention and an MLP of GELU, each after a LayerNorm and added to its input" {
  let width = shape(input)[1]
  a = ln_1: layer_norm(eps=1e-6) -> self_attention: multihead_attention(heads)
    -> dropout: dropout(drop)
  x = add(a, input)
  y = x -> ln_2: layer_norm(eps=1e-6) -> mlp.0: linear(mlp_dim) -> mlp.1: gelu
    -> mlp.2: dropout(drop) -> mlp.3: linear(width) -> mlp.4: dropout(drop)
  add(x, y)
}

network vit "Vision Transformer (Dosovitskiy et al. 2021), torchvision layout"
input [3, image, image]
stem {
  patches = conv_proj: conv(patch, hidden, stride=patch, pad=0, bias=true)
    -> reshape([hidden, -1]) -> permute([1, 0])
  token = class_token: param([1, hidden])
  x = cat(token, patches, dim=0)
  position = encoder.pos_embedding: param([shape(x)[0], hidden], std=0.02)
  add(x, position) -> encoder.dropout: dropout(drop_rate)
}
stage encoder: encoder_block(heads, mlp_dim, drop_rate) x layers at f"encoder.layers.encoder_layer_{i}"
head {
  encoder.ln: layer_norm(eps=1e-6) -> part(dim=0, keep=false) -> heads.head: linear(num_classes)
}
