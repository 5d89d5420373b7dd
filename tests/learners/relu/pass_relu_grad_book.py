# course-v3 02_fully_connected / fastbook ch. 17: the free function
def relu_grad(inp, out):
    # grad of relu with respect to input activations
    inp.g = (inp>0).float() * out.g
