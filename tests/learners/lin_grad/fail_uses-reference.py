from tutor.lesson import lin_grad
